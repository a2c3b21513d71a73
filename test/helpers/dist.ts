import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Why dist/ cannot stand for src/ right now, or undefined when it can: a source file with no compiled
 * counterpart, or one whose counterpart is not what it compiles to. Tests that import or pack the
 * built package call this first, so they never pass (or fail) on an old build without saying so.
 *
 * A counterpart built after its source changed is taken as fresh. An older one (a checkout after the
 * build, a copied dist/) is compared with the source transpiled on the spot: the sources are isolated
 * modules, so each file's emit depends on that file alone.
 */
export function distStaleness(root: string): string | undefined {
  const stale: string[] = [];
  let options: ts.CompilerOptions | undefined;
  const compiled = (path: string): string => {
    options ??= compilerOptions(root);
    return ts.transpileModule(readFileSync(path, 'utf8'), { compilerOptions: options, fileName: path }).outputText;
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const rel = relative(root, path);
        const built = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
        let builtAt: number;
        try {
          builtAt = statSync(built).mtimeMs;
        } catch {
          stale.push(`${rel} (not built)`);
          continue;
        }
        if (statSync(path).mtimeMs > builtAt && compiled(path) !== readFileSync(built, 'utf8')) stale.push(`${rel} (changed since the build)`);
      }
    }
  };
  walk(join(root, 'src'));
  if (stale.length === 0) return undefined;
  const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? ` and ${stale.length - 5} more` : '');
  return `dist/ is stale: ${shown}; run \`npm run build\` first`;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error('cannot read tsconfig.build.json');
  // NodeNext decides ESM from package.json ("type": "module"), which transpileModule does not read.
  return { ...parsed.options, module: ts.ModuleKind.ESNext };
}
