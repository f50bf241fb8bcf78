import type { BrokerAccounts } from "../../cloud/fleet/broker-accounts";

/** Broker accounts kept in memory, for testing the cloud's decisions without a broker; it can be told to fail. */
export class MemoryAccounts implements BrokerAccounts {
  readonly nodes = new Map<string, string>();
  readonly batches = new Map<string, string>();
  failing = false;

  async registerNode(nodeId: string, password: string): Promise<void> {
    this.#check();
    this.nodes.set(nodeId, password);
  }

  async removeNode(nodeId: string): Promise<void> {
    this.#check();
    this.nodes.delete(nodeId);
  }

  async registerBatch(batchId: string, secret: string): Promise<void> {
    this.#check();
    this.batches.set(batchId, secret);
  }

  async removeBatch(batchId: string): Promise<void> {
    this.#check();
    this.batches.delete(batchId);
  }

  #check(): void {
    if (this.failing) throw new Error("broker unreachable (test)");
  }
}
