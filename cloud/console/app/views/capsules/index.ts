// The capsules' views: the list (in the navigation), one capsule, its printable checklist, and what expires this month.
import "./capsule-list";
import "./capsule-detail";
import "./capsule-checklist";
import "./supplies-expiring";
