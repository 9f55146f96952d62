/** A percentage as written. Outside a refund context it is no commitment (not money). */
export interface PercentMention {
  readonly kind: 'percent';
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** e.g. 12.5 for "12,5 %". */
  readonly percent: number;
}
