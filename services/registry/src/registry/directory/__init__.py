"""Reference data of the register: the subjects of the Russian Federation and the ОМС insurers (СМО)."""
