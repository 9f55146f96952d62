export interface ReceiverStats {
  readonly requests: Readonly<Record<string, number>>;
  readonly spansAccepted: number;
  readonly spansRejected: number;
  readonly logRecordsAccepted: number;
  readonly logRecordsRejected: number;
  /** Request body bytes read, after decompression. */
  readonly bytesReceived: number;
  readonly inFlightBytes: number;
}
