/**
 * Bring your own model: open a .pth, .safetensors or .onnx file (a torchvision state dict finds its zoo architecture;
 * an ONNX file is its own), see its per-layer table as the lectures draw it, run it on an image, look at its first
 * filters and activations, fine-tune a new head on your images (one folder per class), download the result.
 */
import { h, fill, numberField } from '../ui/dom.js';
import { activationRow, imageCanvas } from '../ui/views.js';
import { layerTable } from '../ui/layer_table.js';
import type { ModelFromWorker, ModelToWorker, OpenedModel } from '../model/protocol.js';

const IMAGE_TYPES = /\.(png|jpe?g)$/i;

/** Files from a folder picker or a drop, grouped by their parent folder: one class per folder. */
export function groupByFolder(files: { path: string }[]): { classes: string[]; byClass: Map<string, number[]> } {
  const byClass = new Map<string, number[]>();
  files.forEach((f, i) => {
    const parts = f.path.split('/').filter(Boolean);
    if (parts.length < 2 || !IMAGE_TYPES.test(parts.at(-1)!)) return;
    const cls = parts.at(-2)!;
    byClass.set(cls, [...(byClass.get(cls) ?? []), i]);
  });
  const classes = [...byClass.keys()].sort();
  return { classes, byClass };
}

export function mountModel(root: HTMLElement): { close(): void } {
  const worker = new Worker(new URL('../model/model.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ModelToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
  let opened: OpenedModel | null = null;
  let steps = 20;
  let lr = 0.001;

  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'Open a model file to begin.');
  const modelInput = h('input', { type: 'file', id: 'model-file', accept: '.pth,.pt,.safetensors,.onnx' });
  const imageInput = h('input', { type: 'file', id: 'image-file', accept: 'image/png,image/jpeg', disabled: true });
  const folderInput = h('input', { type: 'file', id: 'train-folder', multiple: true, disabled: true });
  folderInput.setAttribute('webkitdirectory', '');
  const summary = h('div', { class: 'model-summary' });
  const result = h('div', { class: 'model-result' });
  const tuneLog = h('div', { class: 'throughput', role: 'log', 'aria-live': 'polite' });
  const exportButtons = (['safetensors', 'onnx'] as const).map((f) =>
    h('button', { disabled: true, onclick: () => send({ type: 'export', format: f }) }, `Download ${f === 'onnx' ? 'ONNX' : 'safetensors'}`),
  );
  const drop = h(
    'div',
    { class: 'drop', 'aria-describedby': 'drop-hint' },
    h('label', { for: modelInput.id }, 'Model file (.pth, .safetensors or .onnx) '),
    modelInput,
    h('p', { id: 'drop-hint', class: 'hint' }, 'or drop it here. A torchvision checkpoint (e.g. resnet18-f37072fd.pth) finds its architecture by itself.'),
  );

  const readFile = async (f: File) => ({ bytes: await f.arrayBuffer(), name: f.name });
  modelInput.addEventListener('change', async () => {
    const f = modelInput.files?.[0];
    if (!f) return;
    const { bytes, name } = await readFile(f);
    send({ type: 'open', bytes, name }, [bytes]);
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    const { bytes, name } = await readFile(f);
    send({ type: 'open', bytes, name }, [bytes]);
  });
  imageInput.addEventListener('change', async () => {
    const f = imageInput.files?.[0];
    if (!f) return;
    const { bytes, name } = await readFile(f);
    send({ type: 'image', bytes, name }, [bytes]);
  });
  const tuneZone = h(
    'section',
    { class: 'drop', 'aria-labelledby': 'tune-title' },
    h('h2', { id: 'tune-title' }, 'Fine-tune its head'),
    h('label', { for: folderInput.id }, 'A folder with one sub-folder of images per class '),
    folderInput,
    h('p', { class: 'hint' }, 'or drop the folder here.'),
    numberField('steps', steps, { name: 'steps', min: 1, max: 1000, integer: true, step: 1 }, (v) => (steps = v)),
    numberField('learning rate', lr, { name: 'lr', min: 1e-6, max: 1 }, (v) => (lr = v)),
    tuneLog,
    h('div', { class: 'buttons' }, ...exportButtons),
  );

  /** Fine-tunes on files with their folder paths (from the folder picker or a dropped folder). */
  async function tuneOn(files: { file: File; path: string }[]) {
    if (!opened) return fill(tuneLog, 'Open a model first.');
    const { classes, byClass } = groupByFolder(files.map((f) => ({ path: f.path })));
    if (classes.length < 2) {
      fill(
        tuneLog,
        `Found ${classes.length} class folder${classes.length === 1 ? '' : 's'} of PNG/JPEG images; pick a folder with one sub-folder per class (at least 2).`,
      );
      return;
    }
    const images: { label: number; bytes: ArrayBuffer; name: string }[] = [];
    for (const [c, cls] of classes.entries()) for (const i of byClass.get(cls)!) images.push({ label: c, ...(await readFile(files[i].file)) });
    fill(tuneLog, `${images.length} images in ${classes.length} classes (${classes.join(', ')}): training a new head…`);
    send(
      { type: 'finetune', classes, images, steps, lr },
      images.map((i) => i.bytes),
    );
  }
  folderInput.addEventListener('change', () => tuneOn(Array.from(folderInput.files ?? [], (f) => ({ file: f, path: f.webkitRelativePath || f.name }))));
  tuneZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    tuneZone.classList.add('over');
  });
  tuneZone.addEventListener('dragleave', () => tuneZone.classList.remove('over'));
  tuneZone.addEventListener('drop', async (e) => {
    e.preventDefault();
    tuneZone.classList.remove('over');
    const entries = Array.from(e.dataTransfer?.items ?? [], (i) => i.webkitGetAsEntry()).filter((x): x is FileSystemEntry => x !== null);
    await tuneOn(await filesOf(entries));
  });

  function showSummary(m: OpenedModel) {
    const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 1 });
    fill(
      summary,
      h(
        'p',
        {},
        h('strong', {}, m.architecture ?? 'ONNX graph'),
        ` from ${m.file} (${m.format}) · ${fmt(m.parameters)} parameters · input [${m.inputShape.join(', ')}] · ${m.numClasses} classes`,
        m.alsoMatches.length ? ` · the same layout as ${m.alsoMatches.join(', ')}` : '',
      ),
      layerTable(m.layers, m.total),
    );
  }

  worker.onmessage = (e: MessageEvent<ModelFromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case 'status':
        fill(status, m.message);
        break;
      case 'opened':
        opened = m.model;
        fill(
          status,
          `${m.model.architecture ?? 'ONNX graph'}: ready. Pick an image to classify${m.model.format === 'onnx' ? '' : ', or a folder of images to fine-tune on'}.`,
        );
        showSummary(m.model);
        fill(result);
        imageInput.disabled = false;
        folderInput.disabled = m.model.format === 'onnx';
        for (const b of exportButtons) b.disabled = false;
        break;
      case 'result': {
        const r = m.result;
        // At most 16 rows, evenly spaced (an imported ONNX graph lists every layer at the top level).
        const every = Math.ceil(r.activations.length / 16);
        const shown = r.activations.map((a, i) => [a, i] as const).filter(([, i]) => i % every === 0 || i === r.activations.length - 1);
        const [c, hh, ww] = opened!.inputShape;
        fill(
          result,
          h(
            'div',
            { class: 'toy-row' },
            imageCanvas(r.input, c, hh, ww, { lo: 0, hi: 1, zoom: Math.max(1, Math.floor(224 / hh)), label: 'the image as the model sees it' }),
            h(
              'ol',
              { class: 'top5', 'aria-label': 'top-5 predictions' },
              ...r.top.map((t) =>
                h('li', {}, h('span', { class: 'prob-bar' }, h('i', { style: `width:${(t.p * 100).toFixed(1)}%` })), `${t.label} ${(t.p * 100).toFixed(1)}%`),
              ),
            ),
          ),
          r.filters ? h('h3', {}, `First convolution's filters [${r.filters.shape.join('×')}]`) : null,
          r.filters ? filterTiles(r.filters.shape, r.filters.weights) : null,
          h(
            'h3',
            {},
            `Activations of ${shown.length < r.activations.length ? `${shown.length} of the ${r.activations.length}` : 'each of the'} top-level layers (first 16 channels)`,
          ),
          ...shown.map(([a, i]) =>
            activationRow({
              layer: `${i}: ${a.layer}`,
              shape: a.shape.length === 3 ? [Math.min(16, a.shape[0]), a.shape[1], a.shape[2]] : a.shape,
              values: a.values,
            }),
          ),
        );
        fill(status, `${opened!.architecture ?? 'ONNX graph'}: ${r.top[0].label} (${(r.top[0].p * 100).toFixed(1)}%)`);
        break;
      }
      case 'finetuned':
        fill(
          tuneLog,
          `step ${m.step}/${m.steps} · loss ${m.loss.toFixed(4)} · batch accuracy ${(m.accuracy * 100).toFixed(0)}% · classes ${m.classes.join(', ')}`,
        );
        if (m.step === m.steps) {
          opened = opened && { ...opened, numClasses: m.classes.length };
          fill(status, `fine-tuned: the head now has ${m.classes.length} classes (${m.classes.join(', ')}); classify an image, or download the model.`);
        }
        break;
      case 'exported': {
        const a = h('a', { href: URL.createObjectURL(new Blob([m.bytes])), download: m.name });
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        break;
      }
      case 'error':
        fill(
          status,
          h(
            'span',
            { class: 'error' },
            `${m.during === 'open' ? 'Cannot open the file' : m.during === 'image' ? 'Cannot classify the image' : m.during === 'finetune' ? 'Cannot fine-tune' : 'Cannot export'}: ${m.message}`,
          ),
        );
        break;
    }
  };
  worker.onerror = (e) => fill(status, `the worker failed: ${e.message}`);

  root.append(
    h('h1', {}, 'Bring your own model'),
    h(
      'p',
      { class: 'lead' },
      'A PyTorch checkpoint, a safetensors file or an ONNX model: what it is, what it costs layer by layer, what it sees — and a new head trained on your images.',
    ),
    drop,
    status,
    summary,
    h(
      'div',
      { class: 'two' },
      h(
        'section',
        { 'aria-labelledby': 'classify-title' },
        h('h2', { id: 'classify-title' }, 'Classify an image'),
        h('label', { for: imageInput.id }, 'Image (PNG or JPEG) '),
        imageInput,
      ),
      tuneZone,
    ),
    result,
  );
  return { close: () => worker.terminate() };
}

/** The first conv layer's filters: RGB tiles for 3 input channels, else channel 0 in grey. */
function filterTiles(shape: number[], weights: Float32Array): HTMLElement {
  const [co, ci, kh, kw] = shape;
  const k = kh * kw;
  const tiles = Array.from({ length: Math.min(co, 64) }, (_, o) =>
    ci === 3
      ? imageCanvas(weights.subarray(o * 3 * k, (o + 1) * 3 * k), 3, kh, kw, { zoom: Math.max(2, Math.floor(28 / kh)), label: `filter ${o}` })
      : imageCanvas(weights.subarray(o * ci * k, o * ci * k + k), 1, kh, kw, { zoom: Math.max(2, Math.floor(28 / kh)), label: `filter ${o}` }),
  );
  return h('div', { class: 'tiles' }, ...tiles);
}

/** Every file under dropped entries, with its path ('flowers/roses/1.jpg'): folders are read recursively. */
async function filesOf(entries: FileSystemEntry[]): Promise<{ file: File; path: string }[]> {
  const out: { file: File; path: string }[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, path: entry.fullPath.replace(/^\//, '') });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns a batch at a time (100 in Chrome) until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}
