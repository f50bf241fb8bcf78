import type { Entropy } from "../ports/entropy";
import type { Platform } from "../ports/platform";
import type { ClaimRefusal } from "../../shared/claim";
import { Claimer, type ClaimSettings, type ClaimState } from "./claim";
import { factoryReset, loadIdentity, type NodeIdentity } from "./identity";
import { ResetButton } from "./reset-button";

export interface Running {
  stop(): void;
}

export interface ProvisionedBootOptions {
  platform: Platform;
  entropy: Entropy;
  random: () => number;
  settings: ClaimSettings;
  /** GPIO of the factory-reset button, from the board definition; none in a build without one. */
  resetPin?: number;
  /** Starts the node's own work under its identity. */
  start: (identity: NodeIdentity) => Running;
}

export interface ProvisionedNode {
  /** The claim's progress while the node has no identity; "claimed" once it has one. */
  readonly claimState: ClaimState;
  readonly identity: NodeIdentity | null;
  /** The cloud's reason for the latest refusal of this claim, if any. */
  readonly lastRefusal: ClaimRefusal | null;
  stop(): void;
}

/**
 * Boots a node that may not know who it is yet: with an identity in flash it starts at once;
 * a blank node claims one first (before any session starts). Holding the factory-reset button
 * stops the node, forgets its identity and claims again, without a restart.
 */
export function bootProvisioned(options: ProvisionedBootOptions): ProvisionedNode {
  const { platform, settings } = options;
  const { storage, log, timers } = platform;
  let identity: NodeIdentity | null = null;
  let claimer: Claimer | undefined;
  let running: Running | undefined;

  const begin = () => {
    identity = loadIdentity(storage);
    if (identity) {
      running = options.start(identity);
      return;
    }
    claimer = new Claimer({
      mqtt: platform.mqtt,
      timers,
      log,
      storage,
      entropy: options.entropy,
      random: options.random,
      settings,
      onClaimed: (claimed) => {
        identity = claimed;
        running = options.start(claimed);
      },
    });
    claimer.start();
  };

  const halt = () => {
    running?.stop();
    running = undefined;
    claimer?.close();
    claimer = undefined;
  };

  const button =
    options.resetPin === undefined
      ? undefined
      : new ResetButton({
          Digital: platform.device.io.Digital,
          pin: options.resetPin,
          timers,
          onHeld: () => {
            log("warn", "factory reset: forgetting this node's identity and claiming again");
            halt();
            factoryReset(storage);
            begin();
          },
        });

  begin();
  return {
    get claimState() {
      return identity ? "claimed" : (claimer?.state ?? "closed");
    },
    get identity() {
      return identity;
    },
    get lastRefusal() {
      return claimer?.lastRefusal ?? null;
    },
    stop() {
      button?.close();
      halt();
    },
  };
}
