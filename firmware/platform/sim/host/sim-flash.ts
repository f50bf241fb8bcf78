import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A simulated node's flash (its preference store). Held by the host so it survives the XS
 * worker being killed; optionally kept in a JSON file so it also survives the host.
 */
export class SimFlash {
  readonly values: Map<string, string>;
  #file: string | undefined;

  constructor(file?: string) {
    this.#file = file;
    this.values = new Map(file && existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : []);
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
    this.#save();
  }

  delete(key: string): void {
    this.values.delete(key);
    this.#save();
  }

  #save(): void {
    if (!this.#file) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.values)));
    renameSync(temporary, this.#file);
  }
}
