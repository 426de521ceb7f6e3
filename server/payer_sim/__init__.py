"""The payer/clearinghouse simulator (`pms-server payer-sim`, issue 6, item 8): it reads what the practice sends
and answers as a clearinghouse and a payer would, so the whole revenue cycle runs on one machine."""
