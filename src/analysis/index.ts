/** Per-layer summaries, receptive fields, BN fusion, activation statistics (the model-zoo issue fills this namespace). */
export {};
