export const HELP = `shouwang: the fleet, from a blank board to an installed node

Usage: npx shouwang <command> [options]      (or: npm run fleet -- <command> [options])

Batches (for makers flashing boards)
  batch create --kind <sensor|elevator|capsule> --board <esp32-devkitc|esp32-s3-devkitc-1>
               (--serials <file> | --serial <mac> …)
               [--expires <30d|2026-12-31>] [--id <batch-id>] [--note <text>] [--mqtt-host <host> [--mqtt-port <port>]]
      Creates a batch for exactly these serials and opens a claim identity on the broker for
      each, until the batch expires or the node first logs in as itself. Prints the claim
      secret once and the mcconfig command that builds and flashes a board for it.
  batch list
  batch flash-command <batch> [--secret <claim-secret>] [--mqtt-host <host>] [--mqtt-port <port>]
      Prints the exact mcconfig command again; with --secret it first checks the secret is right.
      The broker address is the nodes' view of it: --mqtt-host/--mqtt-port, else MQTT_URL's.
  batch labels <batch> [--out <file.csv>]
      Labels as CSV: serial, kind, board, batch, state and the QR payload to print.

Devices
  devices [--batch <batch>] [--state <pending|claimed|online|released|revoked>]
  revoke <serial|label> …      cut a device off for good: the broker disconnects it at once
  release <serial|label> …     let a factory-reset device claim again (new credentials, same id)
  install <serial|label> <place-id>
      Puts a claimed device in its place (by serial, or by the scanned QR payload of its label).

Resident hazard reports (隐患随手拍)
  placards --place <id> [--size A4|A5] [--out <file.html|file.pdf>] [--base-url <url>]
      Printable placards for every compound and building under a place: its QR code opens the
      report page for that place. The address comes from PUBLIC_URL unless --base-url gives it.
  placards revoke <place-id>     retire a place's placard code (print a new one after)

Access (console sign-in and admin tokens)
  sign-in-link (--staff <id> | --admin <name>) [--base-url <url>]
      A one-time console sign-in link and its QR code (valid 24 h) to hand to a person; the
      address comes from PUBLIC_URL unless --base-url gives it.
  admin-token [--name <name>] [--revoke-others]
      A new admin API token when the first is lost (no need to delete the database); with
      --revoke-others every other admin token stops working.

Firmware (for the makers' flashing page)
  firmware publish --build <ESP-IDF build folder> --kind <sensor|elevator|capsule> --version <v>
      Copies the binaries an \`mcconfig -m -p esp32\` build made (as its flasher_args.json lists them)
      and writes the ESP Web Tools manifest, so /flash can flash a board from Chrome over USB.
  firmware list

Places
  place add <id> --level <street|community|compound|building|floor|elevator|capsule> --name <name> [--parent <id>]
  place list

Settings come from the environment, as the cloud reads them: DATABASE_URL (default: the embedded
database under DATA_DIR), and for commands that change broker accounts (batch create, revoke,
release) MQTT_URL, MQTT_PROVISIONER_USERNAME and MQTT_PROVISIONER_PASSWORD.
`;
