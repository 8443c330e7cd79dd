"""shiftmsa.training"""
