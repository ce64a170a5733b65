// The repository's `pnpm switchyard …`: pnpm (like npm) runs a root script in the repository root, but every argument
// after `pnpm switchyard` was typed in the directory the user was in, which pnpm and npm pass on as INIT_CWD. So the
// CLI runs from there, and `pnpm switchyard plan --config ./my.config.json` in apps/demo reads apps/demo's file.
// The published `switchyard` binary keeps the usual rule (paths relative to its working directory): a project's own
// package.json script writes its paths relative to the project, whichever subdirectory the script is started from.
import process from 'node:process';

const invokedIn = process.env.INIT_CWD;
if (invokedIn) {
  try {
    process.chdir(invokedIn);
  } catch (error) {
    process.stderr.write(
      `Cannot run from the directory pnpm was started in (INIT_CWD=${invokedIn}): ${error.message}; ` +
        'relative paths are read from the repository root instead.\n',
    );
  }
}
await import('../dist/cli.js');
