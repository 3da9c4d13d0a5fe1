"""The grid map tile: territory grids coloured by live load, incidents, alerts, resources.

    m = GridMap()
    m.set_territory(nodes)          # all levels; GRID nodes are filled, streets/districts outlined heavier
                                    # (their own polygon if given, else the union of their grids)
    m.set_load({grid_id: open})     # recolour (grids absent from the dict: 0); ramp = theme.LOAD_RAMP/BREAKS
    m.set_incidents(incidents)      # open ones with a position (lon/lat, else their grid's centre);
                                    # the 2,000 most severe, most recent are drawn; drills outlined in DRILL
    m.set_alerts(alerts)            # ACTIVE ones; polygons, else the grids they name
    m.set_resources(resources)      # shape by kind, colour by status
    m.zoom_to(node_id) -> bool; m.zoom_by(f)   # f > 1 zooms in
    m.pan_by(dx, dy)                # fractions of the visible width/height; +dx east, +dy north
    m.reset_view()
    m.grid_clicked / incident_clicked / alert_clicked / resource_clicked  (Signal(str): the id)
    m.add_layer(name, item, z); m.add_hit_test(kind, hit); m.add_legend_source(source)   # a layer of its own
    m.layer_clicked                 # Signal(str, str): (kind, id) of a layer's thing under a click

A click selects, in order: the marker under it (incident, then resource, then a layer's: a city sensor), an alert whose outline (±6 px) or
badge is under it, else the grid under it; so grids inside an alert area stay clickable.
Unchanged lists (same ids and versions) passed again are not redrawn.
"""
from .view import GridMap

__all__ = ["GridMap"]
