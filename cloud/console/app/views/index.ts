// Every view registers its route on import; the first one is the home view. Add yours here.
import "./incident-list";
import "./incident-detail";
import "./signin";
import "./install-node";

// notify and routing gaps (issue 14)
import "./routing-gaps";

// issue 16 views (one line each, in this order; keep the blank lines so parallel work merges):

// nodes
import "./node-list";
import "./node-detail";

// elevators
import "./elevator-board";
import "./elevator-detail";

// updates
import "./updates";

// capsules
import "./capsules/index";

// fleet
import "./fleet/index";

// staff
import "./staff/index";

