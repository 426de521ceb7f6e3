"""Medicare physician fee schedule pricing: CMS RVU and GPCI releases and the fee they give (decision 0017)."""
