/** The playground's entry: a hash router over the demos (#/mnist, #/cifar10, ...) with the configuration in the link. */
import './style.css';
import { h, fill } from './ui/dom.js';
import { mountTrainDemo, type TrainDemo } from './demos/train_demo.js';
import { mountCifarData } from './demos/cifar_data.js';
import { defaultToyConfig, mountClassify2d } from './demos/classify2d.js';
import { toyDataErrors } from './toy/datasets.js';
import { decodeConfig, decodeState, parseHash } from './share.js';
import { defaultRaceConfig, mountRace, raceConfigErrors } from './demos/race.js';
import { aeConfigErrors, defaultAeConfig, mountAutoencoder } from './demos/autoencoder.js';
import { mountModel } from './demos/model.js';
import { mountLectures } from './demos/lectures.js';
import { defaultConfig } from './trainer/config.js';

interface Route {
  path: string;
  title: string;
  blurb: string;
  mount(root: HTMLElement, configParam: string | null): { close(): void } | void;
}

/** Where the data is served: the bundled MNIST next to the page, CIFAR-10 from `--data-dir` when given. */
const DATA_BASE = new URL('data/', document.baseURI).href;

function configFrom(param: string | null, dataset: 'mnist' | 'cifar10', root: HTMLElement) {
  if (!param) return defaultConfig(dataset);
  try {
    return decodeConfig(param, defaultConfig(dataset));
  } catch (e) {
    root.append(h('p', { class: 'error', role: 'alert' }, `${(e as Error).message}; the defaults are used instead.`));
    return defaultConfig(dataset);
  }
}

const ROUTES: Route[] = [
  {
    path: 'mnist',
    title: 'MNIST',
    blurb: 'Train a CNN on handwritten digits: edit the network, watch the curves, activations, filters and mistakes.',
    mount: (root, param) => mountTrainDemo(root, 'mnist', { dataset: 'mnist', root: `${DATA_BASE}mnist/` }, configFrom(param, 'mnist', root)),
  },
  {
    path: 'draw',
    title: 'Draw a digit',
    blurb: 'Draw with the mouse or a finger: a CNN trained here a moment ago reads it, and shows what each layer sees.',
    mount: (root, param) =>
      mountTrainDemo(root, 'mnist', { dataset: 'mnist', root: `${DATA_BASE}mnist/` }, configFrom(param, 'mnist', root), { draw: 'first', autoTrainEpochs: 1 }),
  },
  {
    path: 'classify2d',
    title: 'Classify 2-D points',
    blurb: 'Spiral, circles, XOR: watch a small network bend its decision boundary, unit by unit. Click to add points.',
    mount: (root, param) => {
      let config = defaultToyConfig();
      if (param) {
        try {
          config = decodeConfig(param, config, toyDataErrors);
        } catch (e) {
          root.append(h('p', { class: 'error', role: 'alert' }, `${(e as Error).message}; the defaults are used instead.`));
        }
      }
      return mountClassify2d(root, config);
    },
  },
  {
    path: 'optimizers',
    title: 'Optimizers race',
    blurb: 'SGD, momentum, Nesterov, RMSprop, Adagrad, Adadelta, Adam, AdamW: paths on loss surfaces and curves on a network.',
    mount: (root, param) => {
      let config = defaultRaceConfig();
      if (param) {
        try {
          config = decodeState(param, config, raceConfigErrors);
        } catch (e) {
          root.append(h('p', { class: 'error', role: 'alert' }, `${(e as Error).message}; the defaults are used instead.`));
        }
      }
      return mountRace(root, `${DATA_BASE}mnist/`, config);
    },
  },
  {
    path: 'autoencoder',
    title: 'Autoencoder',
    blurb: 'Digits squeezed through a 2-D code and back: see where each digit lands, and what the decoder draws anywhere.',
    mount: (root, param) => {
      let config = defaultAeConfig();
      if (param) {
        try {
          config = decodeConfig(param, config, aeConfigErrors);
        } catch (e) {
          root.append(h('p', { class: 'error', role: 'alert' }, `${(e as Error).message}; the defaults are used instead.`));
        }
      }
      return mountAutoencoder(root, `${DATA_BASE}mnist/`, config);
    },
  },
  {
    path: 'model',
    title: 'Your own model',
    blurb: 'Open a .pth, .safetensors or .onnx file: its layer table, its predictions on your image, a new head for your classes.',
    mount: (root) => mountModel(root),
  },
  {
    path: 'lectures',
    title: 'The lectures',
    blurb: 'Output sizes, receptive fields and the classic networks’ tables; init, batch norm and regularization, live.',
    mount: (root) => mountLectures(root, `${DATA_BASE}mnist/`),
  },
  {
    path: 'cifar10',
    title: 'CIFAR-10',
    blurb: 'The same views on 32×32 colour photos, with the official CIFAR-10 archive you pick (kept in IndexedDB).',
    mount: (root, param) => {
      const config = configFrom(param, 'cifar10', root);
      let demo: TrainDemo | null = null;
      const picker = mountCifarData(root, DATA_BASE, (source) => {
        demo = mountTrainDemo(root, 'cifar10', source, config);
      });
      return { close: () => (picker.close(), demo?.close()) };
    },
  },
];

let current: { close(): void } | void;

function home(root: HTMLElement) {
  root.append(
    h('h1', {}, 'Convolutional networks, training live in your browser'),
    h('p', { class: 'lead' }, 'Everything runs here, on this page’s CPU threads (WebAssembly SIMD), with PyTorch’s layer names and numerics.'),
    h('ul', { class: 'cards' }, ...ROUTES.map((r) => h('li', {}, h('a', { href: `#/${r.path}` }, h('strong', {}, r.title)), h('p', {}, r.blurb)))),
  );
}

function render() {
  const root = document.getElementById('app')!;
  current?.close();
  current = undefined;
  fill(root);
  const { route, config } = parseHash();
  const r = ROUTES.find((x) => x.path === route);
  document.title = r ? `${r.title} · convnet-ts playground` : 'convnet-ts playground';
  document
    .querySelectorAll('#nav a')
    .forEach((a) => (a.getAttribute('href') === `#/${route}` ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
  if (r) current = r.mount(root, config);
  else home(root);
}

fill(document.getElementById('nav')!, ...ROUTES.map((r) => h('a', { href: `#/${r.path}` }, r.title)));
// Only a change of demo remounts (the demos rewrite their own ?c= as settings change).
let lastRoute = parseHash().route;
window.addEventListener('hashchange', () => {
  const { route } = parseHash();
  if (route !== lastRoute) {
    lastRoute = route;
    render();
  }
});
render();
