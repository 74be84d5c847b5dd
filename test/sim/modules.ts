// Loadable kernel modules: which are installed, which are loaded, their dependencies and what loading does.
// modprobe (programs.ts) and the kernel's own request_module (qeth's on-demand disciplines, §4) both use it.

export interface ModuleDefinition {
  /** Loaded first, as modules.dep makes modprobe do. */
  deps?: readonly string[];
  /** What module init does: register drivers, create sysfs directories. */
  init?: () => void;
}

export class Modules {
  private readonly definitions = new Map<string, ModuleDefinition>();
  private readonly loaded = new Set<string>();

  /** `missing`: modules not installed under /lib/modules (e.g. left out of the initramfs). */
  constructor(private readonly missing: ReadonlySet<string> = new Set()) {}

  define(name: string, definition: ModuleDefinition): void {
    this.definitions.set(name, definition);
  }

  isLoaded(name: string): boolean {
    return this.loaded.has(name);
  }

  isInstalled(name: string): boolean {
    return this.definitions.has(name) && !this.missing.has(name);
  }

  /** Loads `name` after its dependencies; false (nothing of it loaded) when it or a dependency is not installed. */
  load(name: string): boolean {
    if (this.loaded.has(name)) return true;
    const definition = this.definitions.get(name);
    if (!definition || !this.isInstalled(name)) return false;
    if (!(definition.deps ?? []).every((dep) => this.load(dep))) return false;
    this.loaded.add(name);
    definition.init?.();
    return true;
  }
}
