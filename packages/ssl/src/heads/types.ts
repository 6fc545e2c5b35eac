/** One block of a head: Linear(in → out) [→ norm] [→ activation]. */
export interface HeadBlock {
  in: number;
  out: number;
  /** Normalisation after the linear layer (the linear then has no bias). Default 'none'. */
  norm?: 'bn' | 'gn' | 'none';
  /** Default 'none'. */
  activation?: 'relu' | 'none';
}

/** A head (projector or predictor) declared as data: blocks applied in order. [N,in0] → [N,outLast]. */
export type HeadSpec = readonly HeadBlock[];
