from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ProductOut(BaseModel):
    code: str
    name: str
    line: str


class LicenceOut(BaseModel):
    number: str
    issued_on: date


class InsurerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["volga"])
    legal_name: str
    short_name: str
    inn: str
    ogrn: str
    licence: LicenceOut
    address: str
    phone: str
    website: str
    regions: list[str] = Field(description="Codes of the regions (субъекты РФ) served")
    products: list[ProductOut]
    synthetic: bool = Field(description="True when the insurer and its data are invented (demo)")
    instance_started_at: datetime
    first_announced_at: datetime
    last_announced_at: datetime


class InsurerList(BaseModel):
    items: list[InsurerOut]
