/**
 * BatchNorm's num_batches_tracked under strict loading, as PyTorch does it (fixtures and PyTorch's own verdicts from
 * scripts/gen_bn_version_fixtures.py): a torch.save state dict (version 2 metadata) must have it; a plain dict or a
 * safetensors file (no metadata) may lack it, and it loads as 0.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { io, models, nn } from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/pth/${name}`, import.meta.url));
const verdicts = JSON.parse(fixture('bn_versions.json').toString());

function model(): nn.Sequential {
  const m = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2, 3), new nn.BatchNorm1d(3));
  return m;
}
const tracked = (m: nn.Sequential) =>
  [...m.children()]
    .filter((c) => c instanceof nn.BatchNorm2d || c instanceof nn.BatchNorm1d)
    .map((c) => Number((c as nn.BatchNorm2d).numBatchesTracked!.item()));
const setTracked = (m: nn.Sequential, v: number) => {
  for (const c of m.children())
    if (c instanceof nn.BatchNorm2d || c instanceof nn.BatchNorm1d)
      (c as nn.BatchNorm2d).numBatchesTracked!.copy_((c as nn.BatchNorm2d).numBatchesTracked!.mul(0).add(v));
};

describe('num_batches_tracked and state-dict versions (PyTorch’s rule)', () => {
  it('a torch.save state dict without it (version 2) fails strictly, naming the keys, as in PyTorch', async () => {
    expect(verdicts.bn_versioned.loaded).toBe(false);
    const sd = await io.loadPthStateDict(fixture('bn_versioned.pth'));
    expect((sd as Record<symbol, unknown>)[nn.STATE_DICT_METADATA]).toEqual(verdicts.metadata);
    const m = model();
    expect(() => m.loadStateDict(sd)).toThrow(/missing keys: '1\.num_batches_tracked' \[\], '5\.num_batches_tracked' \[\]/);
    expect(m.loadStateDict(sd, { strict: false }).missingKeys).toEqual(['1.num_batches_tracked', '5.num_batches_tracked']);
  });

  it('a plain dict (no metadata) loads strictly and sets it to 0, as in PyTorch', async () => {
    expect(verdicts.bn_plain).toEqual({ loaded: true, num_batches_tracked: [0, 0] });
    const m = model();
    setTracked(m, 5);
    m.loadStateDict(await io.loadPthStateDict(fixture('bn_plain.pth')));
    expect(tracked(m)).toEqual(verdicts.bn_plain.num_batches_tracked);
  });

  it('a safetensors file without the buffers loads strictly (filtered-out buffers are common)', () => {
    const r18 = models.create('resnet18') as nn.Module;
    const filtered = Object.fromEntries(Object.entries(r18.stateDict()).filter(([k]) => !k.endsWith('num_batches_tracked')));
    const back = io.decodeSafetensors(io.encodeSafetensors(filtered)).tensors;
    const target = models.create('resnet18') as nn.Module;
    expect(target.loadStateDict(back)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    // Explicit metadata can say otherwise.
    const versions = Object.fromEntries([...target.namedModules()].map(([p]) => [p, { version: 2 }]));
    expect(() => target.loadStateDict(back, { metadata: versions })).toThrow(/missing keys: 'bn1\.num_batches_tracked'/);
  });

  it('a DataParallel checkpoint’s versions follow its keys through stripPrefix', async () => {
    const sd = await io.loadPthStateDict(fixture('bn_data_parallel.pth'), { stripPrefix: 'module.' });
    const meta = (sd as Record<symbol, Record<string, unknown>>)[nn.STATE_DICT_METADATA];
    expect(Object.keys(verdicts.data_parallel_metadata)).toContain('module.1');
    expect(meta['1']).toEqual({ version: 2 });
    expect(Object.keys(meta).some((k) => k.startsWith('module'))).toBe(false);
    expect(() => model().loadStateDict(sd)).toThrow(/missing keys: '1\.num_batches_tracked' \[\]$/);
  });
});
