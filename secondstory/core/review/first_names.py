"""Common first names, so prose such as "Bob failed to …" is recognised without configuration.

Organisations add their own people with ``names = [...]`` in the review settings.
"""

from __future__ import annotations

FIRST_NAMES = frozenset(
    """
    aaron abby adam adrian agnes ahmed aisha alan alex alexa alexander alexis ali alice
    alicia amal amanda amir amy ana andre andrea andreas andrew andy angela anil anita ann
    anna anne anton arjun arun ash ashley ava barbara ben benjamin beth bill bob bobby brad
    brandon brian bruce carl carla carlos carlos carmen carol caroline casey catherine
    charles charlie chen chris christina christine claire colin connor craig dan dana daniel
    danielle dave david deb deborah dennis derek devon diana diego dimitri dmitri dolores
    dolores dominic don donna doris doug drew dylan ed eddie elena eli elias elif elizabeth
    ella ellen emily emma eric erica erin ethan eva evan fatima felix fiona frances frank
    fred gabriel gary george grace greg hana hannah hans harry hassan heather helen henry
    hiro hugo ian igor ines iris isaac isabel ivan jack jacob jake james jamie jan jane
    janet jason javier jay jean jeff jen jennifer jeremy jess jessica jim joan joe joel john
    jon jonas jonas jordan jorge jose joseph josh joy juan julia julian julie justin kai
    karen karim kate katie kelly ken kenji kevin kim klaus kris kyle lara lars laura lee
    lena leo leon li liam lily linda lisa liz lois lucas lucy luis luke marcus maria mario
    mark markus marta martin mary matt matthew matthias max maya megan mei mia michael
    michelle miguel mike mila mohammed nadia nancy naomi nat nathan neil nick nicolas nicole
    niels nina noah nora olga olivia omar oscar owen pablo pat patrick paul pedro pete peter
    phil phyllis priya quinn rachel raj ravi ray rebecca ria rich richard rick rita rob
    robert robin ron rosa ryan sam samir sandra sara sarah scott sean sergei shane sofia
    sophie stan stefan steve steven sue susan taylor ted theo thomas thomas tim tina tobias
    todd tom tomas tomás tony tyler uma victor vik vikram vivian walter wei will william
    xavier yan yuki yusuf zach zara zoe
    """.split()  # noqa: SIM905
)
