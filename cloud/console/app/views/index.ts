// Every view registers its route on import; the first one is the home view. Add yours here.
import "./incident-list";
import "./incident-detail";
import "./signin";
import "./install-node";
