"""shiftmsa.models"""
