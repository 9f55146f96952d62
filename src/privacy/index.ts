/** Personal-data masking before anything leaves for a judge, the store, a review queue or a dataset. Imports nothing of ours. */
export { frenchNirValid, ibanValid, luhnValid, spanishIdValid, steuerIdValid } from './checksums.ts';
export { builtinDetectors, type PiiDetector } from './detectors.ts';
export { MaskingSession, PiiMasker, PiiPatternError, type CustomPiiPattern, type PiiMaskerOptions } from './masker.ts';
