/**
 * Receipts: a session's cart folded into final lines and a total once no review holds it back.
 */
export interface ReceiptLine {
  sku: string;
  name: string;
  qty: number;
  unitPrice: number;
}

export type ReceiptStatus = 'final' | 'pending-review' | 'open';

export interface Receipt {
  visit: string;
  account: string;
  lines: ReceiptLine[];
  total: number;
  currency: string;
  status: ReceiptStatus;
  entered: number;
  exited: number | null;
  finalAt: number | null;
}
