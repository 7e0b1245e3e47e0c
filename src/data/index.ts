/** Datasets, transforms and the DataLoader (the data/training issue fills this namespace). */
export {};
