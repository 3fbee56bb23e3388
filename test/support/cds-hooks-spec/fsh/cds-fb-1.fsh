Invariant: cds-fb-1
Description: "outcome must be 'accepted' or 'overridden'"
* severity = #error
* expression = "outcome = 'accepted' or outcome = 'overridden'"
