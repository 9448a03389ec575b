// Regenerates contracts.json (ABI + creation bytecode) from TestToken.sol with solc-js.
//
//   cd packages/gaib-theme-sietch/tests/tiers/data/evm && npm ci && node compile.js
//
// The compiler is the npm package `solc` at the exact version package.json pins (its WebAssembly
// build ships inside the package: nothing else is downloaded). The output records that version,
// the EVM version and the SHA-256 of the source, so a test notices a source edited without
// regenerating.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const SOURCE = "TestToken.sol";
const EVM_VERSION = "cancun"; // what py-evm's latest forks run; no newer opcodes needed

const text = fs.readFileSync(path.join(__dirname, SOURCE), "utf8");
const input = {
  language: "Solidity",
  sources: { [SOURCE]: { content: text } },
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 200 },
    metadata: { bytecodeHash: "none" }, // byte-identical output across machines
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const contracts = {};
for (const [name, compiled] of Object.entries(output.contracts[SOURCE])) {
  contracts[name] = { abi: compiled.abi, bytecode: "0x" + compiled.evm.bytecode.object };
}
const result = {
  source: SOURCE,
  source_sha256: crypto.createHash("sha256").update(text).digest("hex"),
  solc: solc.version(),
  evm_version: EVM_VERSION,
  contracts,
};
fs.writeFileSync(path.join(__dirname, "contracts.json"), JSON.stringify(result, null, 2) + "\n");
console.log(`contracts.json: ${Object.keys(contracts).join(", ")} (solc ${solc.version()})`);
