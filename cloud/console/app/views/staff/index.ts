// Staff admin (admins only): the people list (in the navigation) and one person's page.
import "./staff-list";
import "./staff-detail";
