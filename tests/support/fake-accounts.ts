import type { BrokerAccounts } from "../../cloud/fleet/broker-accounts";

/** Broker identities kept in memory, for testing the cloud's decisions without a broker; it can be told to fail. */
export class MemoryAccounts implements BrokerAccounts {
  /** Node id → SHA-256 of its password. */
  readonly nodes = new Map<string, string>();
  /** Serial → its open claim. */
  readonly claims = new Map<string, { batchId: string; secretHash: string; expiresAt: number }>();
  failing = false;

  async registerNode(nodeId: string, passwordHash: string): Promise<void> {
    this.#check();
    this.nodes.set(nodeId, passwordHash);
  }

  async removeNode(nodeId: string): Promise<void> {
    this.#check();
    this.nodes.delete(nodeId);
  }

  async openClaims(batchId: string, serials: readonly string[], secretHash: string, expiresAt: number): Promise<void> {
    this.#check();
    for (const serial of serials) this.claims.set(serial, { batchId, secretHash, expiresAt });
  }

  async closeClaim(serial: string): Promise<void> {
    this.#check();
    this.claims.delete(serial);
  }

  async removeBatch(batchId: string): Promise<void> {
    this.#check();
    for (const [serial, claim] of this.claims) if (claim.batchId === batchId) this.claims.delete(serial);
  }

  /** Serials with an open claim in a batch. */
  claimsOf(batchId: string): string[] {
    return [...this.claims].filter(([, claim]) => claim.batchId === batchId).map(([serial]) => serial).sort();
  }

  #check(): void {
    if (this.failing) throw new Error("broker unreachable (test)");
  }
}
