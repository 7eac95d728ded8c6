// The fake backend the tests install: its state and the vault's commands in vault.ts, each
// feature's commands in a module of its own, and the scanned files in ../fakeScan.ts.

export { DEFAULT_LOCATION, FakeVault, installFake, JOINED_FINGERPRINT, NOTES, PASSPHRASE, RECOVERY_KEY, VALUES, type FakeOptions } from "./vault";
