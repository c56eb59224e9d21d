from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from semh.tenancy import schools_of


@login_required
def home(request):
    """Send staff to their school; someone in several schools picks one."""
    schools = list(schools_of(request.user))
    if len(schools) == 1:
        return redirect("school_home", school_slug=schools[0].slug)
    return render(request, "semh/choose_school.html", {"schools": schools})
