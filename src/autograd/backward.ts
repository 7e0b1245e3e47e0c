/** Reverse-mode differentiation: walks the graph from a root in reverse topological order. */
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from './grad_mode.js';
import type { GradNode } from './node.js';

export interface BackwardOptions {
  /** Keep the graph so backward can be called again through it (PyTorch's retain_graph). */
  retainGraph?: boolean;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep networks would overflow the call stack with recursion.
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    if (t.gradFn) for (const inp of t.gradFn.inputs) if (inp.requiresGrad && !seen.has(inp)) stack.push([inp, false]);
  }
  return order.reverse();
}

export function runBackward(root: Tensor, grad: Tensor, opts: BackwardOptions = {}): void {
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, grad]]);
  const nodes: GradNode[] = [];
  noGrad(() => {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // free intermediate gradients as soon as they are consumed
      const node = t.gradFn;
      if (!node) {
        t.grad = t.grad ? t.grad.add(g) : g.detach();
        continue;
      }
      if (t.retainsGrad) t.grad = t.grad ? t.grad.add(g) : g.detach();
      if (!node.vjp) {
        throw new Error(
          `backward: the graph through '${node.op}' was already released; call backward({ retainGraph: true }) the first time to backpropagate twice`,
        );
      }
      const inputGrads = node.vjp(g);
      node.inputs.forEach((inp, i) => {
        const gi = inputGrads[i];
        if (!gi || !inp.requiresGrad) return;
        const prev = grads.get(inp);
        grads.set(inp, prev ? prev.add(gi) : gi);
      });
      nodes.push(node);
    }
  });
  if (!opts.retainGraph) for (const n of nodes) n.release();
}
