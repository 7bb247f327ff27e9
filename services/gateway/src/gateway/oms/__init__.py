"""ОМС in the cabinet: the holder's policy as the register announces it (OMS-02, OMS-07)."""
