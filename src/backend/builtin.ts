/** The built-in backends, each registering itself on load: js (always) and wasm (where WebAssembly SIMD runs). */
import './js/index.js';
import './wasm/index.js';
