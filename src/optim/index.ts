/** Optimizers and learning-rate schedules (the nn/optim issue fills this namespace). */
export {};
