"""MSP-IMPROV (acted dyadic interactions, UT Dallas MSP lab) as openSMILE features."""

from serzoo.tfds_builders.msp_improv.msp_improv_dataset_builder import Builder

__all__ = ["Builder"]
