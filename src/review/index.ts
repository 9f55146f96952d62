/** The loop from live failures to datasets: review queue, harvest, agreement, coverage and drift. */
export { agreementByRubric, humanSaysBad, judgeSaysBad, type RubricAgreement } from './agreement.ts';
export { coverage, type CoverageOptions, type CoverageReport, type LiveInput } from './coverage.ts';
export { harvestRows, inputKey, rowFromItem, type HarvestedRow } from './dataset-rows.ts';
export { hajekMean, weekOverWeek, type DriftRow, type WeightedMean, type WeightedScore } from './drift.ts';
export { harvestLowest, rankScore, weakest, type HarvestOptions } from './harvest.ts';
export { humanResult } from './human-result.ts';
export { estimatedJaccard, exactJaccard, MinHasher, shingles } from './minhash.ts';
export { parseDuration } from './time-window.ts';
