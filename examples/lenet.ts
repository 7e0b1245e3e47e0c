/** The lectures' LeNet-5 (20/50/500 variant) as nn modules; shared by `npm start` and `npm run bench`. */
import { nn } from '../src/index.js';

/** conv(1→20, k5, p2) · relu · maxpool2 · conv(20→50, k5, p2) · relu · maxpool2 · fc(2450→500) · relu · fc(500→10) */
export function lenet5(): nn.Sequential {
  return new nn.Sequential({
    features: new nn.Sequential(
      new nn.Conv2d(1, 20, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(20, 50, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
    ),
    flatten: new nn.Flatten(),
    classifier: new nn.Sequential(new nn.Linear(2450, 500), new nn.ReLU(), new nn.Linear(500, 10)),
  });
}
