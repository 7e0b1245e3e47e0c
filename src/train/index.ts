/** The fit loop, callbacks, checkpoints and charts (the training issue fills this namespace). */
export {};
