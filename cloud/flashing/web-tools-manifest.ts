/**
 * ESP Web Tools' firmware manifest, made from what the ESP-IDF build leaves behind. ESP-IDF writes
 * `flasher_args.json` beside its binaries: every file to flash with its offset, and the chip
 * (docs: ESP-IDF "Build System", flash arguments). ESP Web Tools wants the same files as `parts`
 * under a `chipFamily` (esphome.github.io/esp-web-tools, "Manifest").
 */
export interface FlasherArgs {
  flash_files: Record<string, string>;
  extra_esptool_args?: { chip?: string };
}

export interface WebToolsManifest {
  name: string;
  version: string;
  new_install_prompt_erase: boolean;
  /** Seconds ESP Web Tools waits for Improv after flashing before it stops offering Wi-Fi. */
  new_install_improv_wait_time: number;
  builds: Array<{ chipFamily: string; parts: Array<{ path: string; offset: number }> }>;
}

const CHIP_FAMILIES: Record<string, string> = { esp32: "ESP32", esp32s3: "ESP32-S3" };

export class ManifestError extends Error {}

/** The manifest for one build, with each part's path taken as its file name (the store keeps them flat). */
export function webToolsManifest(args: FlasherArgs, release: { name: string; version: string }): WebToolsManifest {
  const chip = args.extra_esptool_args?.chip ?? "";
  const chipFamily = CHIP_FAMILIES[chip];
  if (!chipFamily) throw new ManifestError(`flasher_args.json names chip "${chip}"; the nodes are built for ${Object.keys(CHIP_FAMILIES).join(" or ")}`);
  const entries = Object.entries(args.flash_files ?? {});
  if (entries.length === 0) throw new ManifestError("flasher_args.json lists no files to flash: is this an ESP-IDF build folder?");
  const parts = entries
    .map(([offset, path]) => {
      const value = Number.parseInt(offset, 16);
      if (!/^0x[0-9a-f]+$/i.test(offset) || !Number.isFinite(value)) throw new ManifestError(`flash offset "${offset}" is not a hexadecimal address`);
      return { path: baseName(path), offset: value };
    })
    .sort((a, b) => a.offset - b.offset);
  const names = new Set(parts.map((part) => part.path));
  if (names.size !== parts.length) throw new ManifestError("two flash files share a name; the store keeps them in one folder");
  return {
    name: release.name,
    version: release.version,
    // A board from another batch may hold another node's identity and Wi-Fi: erase on a first install.
    new_install_prompt_erase: true,
    new_install_improv_wait_time: 15,
    builds: [{ chipFamily, parts }],
  };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
