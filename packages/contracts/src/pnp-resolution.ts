// TypeScript's module resolution in a Yarn Plug'n'Play install (Yarn 2+'s default: no node_modules
// folder; a map from each package to its dependencies, read by a runtime Yarn loads into node).
// Yarn patches the `typescript` package it installs so that tsc resolves through that map; ts-morph
// brings a TypeScript of its own, which Yarn never patches, so `check` found none of a scenario's
// packages (`Cannot find module 'mockstack'`).
import Module from 'node:module';
import { join } from 'node:path';
import type { ResolutionHostFactory, ts as Ts } from 'ts-morph';

/** The part of Yarn's PnP API this uses (https://yarnpkg.com/advanced/pnpapi). */
interface PnpApi {
  /** Where a package named by `request` is for the package of `issuer`: its folder (in a zip archive of Yarn's cache, which the runtime lets node's fs read). */
  resolveToUnqualified(request: string, issuer: string, options?: { considerBuiltins?: boolean }): string | null;
}

/** The PnP API that serves a file's package: set on node's Module when the process runs under Yarn's runtime (`yarn mockstack …`). */
function pnpApiFor(file: string): PnpApi | undefined {
  const find = (Module as unknown as { findPnpApi?: (lookupSource: string) => PnpApi | null }).findPnpApi;
  return find?.(file) ?? undefined;
}

/** A bare specifier's package name (`@scope/name` or `name`); undefined for relative, absolute and `node:` specifiers. */
function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  return /^(?:@[^/]+\/)?[^/]+/.exec(specifier)?.[0];
}

/** `@types/scope__name` for `@scope/name`. */
function typesPackageOf(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

/**
 * A file beside the `node_modules` folder that holds a package Yarn placed (`…/cache/x.zip/node_modules/name`):
 * TypeScript resolves the package from there as from any project, with its exports, typesVersions and
 * types. Undefined for a package placed elsewhere (a workspace, a `portal:`).
 */
function anchorFor(packageFolder: string, name: string): string | undefined {
  const folder = packageFolder.replace(/\/+$/, '');
  const suffix = `/node_modules/${name}`;
  return folder.endsWith(suffix) ? join(folder.slice(0, -suffix.length), '__mockstack_pnp__.ts') : undefined;
}

/**
 * Resolution through PnP for what TypeScript's own resolution does not find: the package (or its
 * `@types` package) located by the map of the importing file's package, then resolved by TypeScript
 * from beside it. Undefined when the process does not run under Yarn's PnP runtime.
 */
export function pnpResolutionHost(ts: typeof Ts): ResolutionHostFactory | undefined {
  if (!(Module as unknown as { findPnpApi?: unknown }).findPnpApi) return undefined;
  return (host) => {
    /** TypeScript's resolution of `resolve(anchor)` for the package `name` (or its types) as the PnP map of `issuer` places it. */
    const throughPnp = <T>(name: string, issuer: string, resolve: (anchor: string, folder: string) => T | undefined): T | undefined => {
      const pnp = pnpApiFor(issuer);
      if (!pnp) return undefined;
      for (const candidate of [name, typesPackageOf(name)]) {
        let folder: string | null = null;
        try {
          folder = pnp.resolveToUnqualified(candidate, issuer, { considerBuiltins: false });
        } catch {
          // not a dependency of the issuer's package: the next candidate, or TypeScript's own "cannot find"
        }
        const anchor = folder ? anchorFor(folder, candidate) : undefined;
        const found = folder && anchor ? resolve(anchor, folder) : undefined;
        if (found) return found;
      }
      return undefined;
    };
    return {
      resolveModuleNames: (names, containingFile, _reused, redirected, options, containingSourceFile) =>
        names.map((specifier) => {
          const mode = containingSourceFile?.impliedNodeFormat;
          const own = ts.resolveModuleName(specifier, containingFile, options, host, undefined, redirected, mode).resolvedModule;
          const name = packageNameOf(specifier);
          if (own || !name) return own;
          return throughPnp(
            name,
            containingFile,
            (anchor) => ts.resolveModuleName(specifier, anchor, options, host, undefined, undefined, mode).resolvedModule,
          );
        }),
      resolveTypeReferenceDirectives: (directives, containingFile, redirected, options, containingFileMode) =>
        directives.map((directive) => {
          const name = typeof directive === 'string' ? directive : directive.fileName.toLowerCase();
          const mode = typeof directive === 'string' ? containingFileMode : (directive.resolutionMode ?? containingFileMode);
          const own = ts.resolveTypeReferenceDirective(name, containingFile, options, host, redirected, undefined, mode).resolvedTypeReferenceDirective;
          if (own?.resolvedFileName) return own;
          // A tsconfig's `types: ["node"]` names packages for the project's root.
          return throughPnp(name, containingFile, (anchor) => {
            const found = ts.resolveTypeReferenceDirective(name, anchor, options, host, undefined, undefined, mode).resolvedTypeReferenceDirective;
            return found?.resolvedFileName ? found : undefined;
          });
        }),
    };
  };
}
