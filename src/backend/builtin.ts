/** The built-in backends, each registering itself on load: js (always), wasm (where WebAssembly SIMD runs) and webgpu (started on demand). */
import './js/index.js';
import './wasm/index.js';
import './webgpu/index.js';
