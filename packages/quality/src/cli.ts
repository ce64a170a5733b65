#!/usr/bin/env node
/**
 * `switchyard-eval-router --data <jsonl> [--json] [--plot <file.svg>]`: evaluates the shipped difficulty scorer on a
 * labelled JSONL file. The server's `switchyard eval-router` wraps the same `evaluateRouter`.
 */
import { runEvalRouterCli } from './run-eval-router-cli.js';

runEvalRouterCli(process.argv.slice(2), process).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
