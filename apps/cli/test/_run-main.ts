// Runs the CLI's `main` in this process with environment variables set (undefined removes one) and
// optionally another working folder, capturing stdout and stderr; everything is put back afterwards.
import { main } from '../src/main.ts';

export interface MainResult {
  code: number;
  out: string;
  err: string;
}

export async function runMain(argv: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<MainResult> {
  const saved = { ...process.env };
  const savedCwd = process.cwd();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (cwd) process.chdir(cwd);
  let out = '';
  let err = '';
  try {
    const code = await main(argv, { out: (s) => { out += s; return true; }, err: (s) => { err += s; return true; } });
    return { code, out, err };
  } finally {
    if (cwd) process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
