// The fleet's views: batches and their claim state (in the navigation) and one batch's devices; installing is views/install-node.ts.
import "./fleet-batches";
import "./fleet-batch";
