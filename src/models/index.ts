/** The model zoo: models.create(name, options), models.list() (the model-zoo issue fills this namespace). */
export {};
