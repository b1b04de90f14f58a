import { createFakeRefreshLedger } from "./fake-refresh-ledger.ts";
import { describeRefreshLedgerContract } from "./refresh-ledger-contract.ts";

describeRefreshLedgerContract("in-memory fake", async () => createFakeRefreshLedger());
