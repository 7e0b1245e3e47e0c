/** The training curves `train.fit` writes as curves.svg: loss and top-1 accuracy per epoch, train and validation. */
import { figure, lineChart, row, type ChartSpec, type Series } from './spec.js';

export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss?: number;
  valAcc?: number;
}

/**
 * Two panels, loss and accuracy (%); the validation series appear when any epoch has them.
 * Example: await renderSvg(trainingCurves(history, 'lenet5 on mnist'))
 */
export function trainingCurves(points: readonly CurvePoint[], title = 'training'): ChartSpec {
  const hasVal = points.some((p) => p.valLoss !== undefined || p.valAcc !== undefined);
  const series = (key: 'Loss' | 'Acc', scale: number): Series[] => [
    { name: 'train', points: points.map((p) => [p.epoch, p[`train${key}`] * scale]) },
    ...(hasVal ? [{ name: 'validation', dashed: true, points: points.map((p) => [p.epoch, (p[`val${key}`] ?? NaN) * scale] as [number, number]) }] : []),
  ];
  const accAll = points
    .flatMap((p) => [p.trainAcc, p.valAcc ?? p.trainAcc])
    .map((v) => v * 100)
    .filter(Number.isFinite);
  const accMin = accAll.length ? Math.max(0, Math.floor(Math.min(...accAll) / 5) * 5) : 0;
  const epochAxis = { title: 'epoch', integer: true };
  return figure(
    row([
      lineChart({ title: 'loss', x: epochAxis, y: { title: 'cross-entropy loss', zero: true }, series: series('Loss', 1), legend: 'top-right' }),
      lineChart({
        title: 'accuracy',
        x: epochAxis,
        y: { title: 'top-1 accuracy (%)', domain: [accMin, 100] },
        series: series('Acc', 100),
        legend: 'bottom-right',
      }),
    ]),
    title,
  );
}
