export { appendRows, contentVersion, rowsVersion, DEFAULT_DATASET_DIR, listDatasets, loadDataset, resolveDatasetPath } from './dataset.ts';
export type { Dataset, DatasetListing } from './dataset.ts';
export { DatasetError, type RowProblem } from './dataset-error.ts';
export { parseRows, type ParsedRows } from './parse.ts';
export { DatasetRowSchema, OUTCOMES, userMessages } from './row.ts';
export type { DatasetRow, DatasetRowInput, ExpectedOutcome, RowReference } from './row.ts';
