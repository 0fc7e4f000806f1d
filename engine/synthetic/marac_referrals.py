SOURCE_ID = "marac_referrals"
PROVENANCE = ""
