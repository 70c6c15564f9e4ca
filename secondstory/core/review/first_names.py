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
    abdul abdullah abena ada adaeze adebayo adeola adil adriana agata agnieszka ahmad aiden
    aiko akira akosua alan aleksander aleksandra alessandro alessia alfie alina alison alvaro
    amadou amara amelia amina amit anders andrei andrej aneta angelo anika anja ankit anouk
    antoine antonio anya arash ari arnav arturo asha ashok astrid aurelie ayesha aylin ayumi
    bao barry basil beatriz bela bernard bilal bjorn björn blessing bogdan boris brenda
    bruno bryan caio camila camille carlo carmela cecilia cem chiamaka chidi chinedu chioma
    chloe chloé christian christoph ciara cillian clara claudia conor cristina dalia damian
    daniela darius dario darko dayo deepak deniz desmond dev dina dong duc dusan ebere ebony
    eduardo efua ekaterina elif elise eliza elsa emeka emil emilia emma enrique erik ernesto
    esra esther eun fabian fabio farah farida farid fatih fatou federica felipe femi fernando
    filip finn florian folake francesca francesco franz gareth gautam gemma gerald gianluca
    gintare giorgio giulia gloria gonzalo gosia graham grzegorz gul gunnar gustavo habib
    hadiza hakan halima hamid hao haruka haruto hector heidi heike helga henrik hiroshi
    hoang hussein ibrahim ida ifeoma ignacio ilya imran inge ingrid irina isabella ishaan
    jakub jamal janek jasmine jaroslav jelena jens jiho jin joanna joao joão johan johanna
    jonah jonathan josef joy jun jurgen jürgen kamal kamila karin karl karolina kasia kateryna
    kavya kayode kemal kenneth khadija kiran kirsten kofi kristof kwabena kwadwo kwame kwesi
    laila lakshmi lamar latoya layla leila leonardo liang lin linh lior lorenzo luca lucia
    lucía ludmila luka lukas łukasz magnus mahmoud maja malik manon manuel marcel marco
    marek margaret margarida marguerite mariam marina marius marlene mateo mateus mathilde
    matteo maurice mehmet melanie mert micha michal michał milan min mirela miriam misaki
    mohamed moses musa nadia nadine nalini nam nana naveen nia nikhil nikita nikola nils
    nkechi noor nuno obinna ola olamide olu oluwaseun omari onur orla pavel petra phuong
    pierre pieter piotr priscilla radek rafael rafał rahul ramon rana rashid raul reza
    ricardo rin roberto rohan roman rosa ruth sabine sadia saeed sakura salma sanjay santiago
    sanne saoirse sasha sebastian selin seo seun shanice shira shreya sienna simone sina
    siobhan siddharth sipho siddhart sinead sławek soren søren stella sunita svetlana sven
    tamar tariq tatiana teodor thabo thanh thiago tiago timo tolu tomasz tomek tunde ulrich
    ursula valentina vanessa vasil vera veronika viktor vilma vincent vlad wanjiru wen
    wiktoria wojciech xiao yara yasmin yevgen yiannis ying yosef youssef yuna yuri yusuf
    zainab zanele zeynep zhang zhou zofia
    """.split()  # noqa: SIM905
)
