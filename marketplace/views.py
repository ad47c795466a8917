"""Server-rendered pages. Thin: parse the request, call one service or selector, render."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.api.errors import flat_errors
from core.errors import DomainError, ForbiddenError, NotFoundError
from core.pages import page_language
from events.selectors import listing_activity
from marketplace import selectors, services
from marketplace.auth import signed_in, viewer
from marketplace.forms import LISTING_LANGUAGES, ListingForm, PhotoForm, SignUpForm
from marketplace.models import Country, Machine, MachineStatus, Photo, SpecKind, User
from marketplace.models.enquiries import MAX_BODY_LENGTH
from marketplace.models.machines import SEARCHABLE_STATUSES
from marketplace.money import convert, format_money
from marketplace.preferences import set_viewer_preferences, viewer_preferences
from marketplace.serializers import MachineInput, RegisterInput, listing_fields
from marketplace.units import format_value


def home(request: HttpRequest) -> HttpResponse:
    currency, language = viewer_preferences(request).currency, page_language()
    newest = [_card(machine, currency, language) for machine in selectors.machines_newest(limit=8)]
    return render(request, "marketplace/home.html", {"newest": newest})


def seller_detail(request: HttpRequest, seller_id: int) -> HttpResponse:
    """A seller's public page: who they are and their listings on offer, a page at a time."""
    seller = selectors.seller_get(seller_id=seller_id)
    currency, language = viewer_preferences(request).currency, page_language()
    offers = Paginator(selectors.seller_offers(seller.pk), selectors.SELLER_PAGE_SIZE)
    page = offers.get_page(request.GET.get("page"))  # past the last page: the last page
    return render(
        request,
        "marketplace/seller_detail.html",
        {
            "seller": seller,
            "seller_country": _country_name(seller.country, language) if seller.country else "",
            "page": page,
            "cards": [_card(machine, currency, language) for machine in page],
        },
    )


def _card(machine: Machine, currency: str, language: str) -> dict[str, object]:
    """A listing as a card: cover, title, year and hours, where it is, and the price in the
    reader's currency (the seller's beside it when it differs)."""
    photos = list(machine.photos.all())
    country = machine.country.names.get(language) or machine.country.names.get("en") or machine.country_id
    own = format_money(machine.price_amount, machine.price_currency_id)
    return {
        "id": machine.pk,
        "url": reverse("machine-detail", args=[machine.pk]),
        "title": machine.display_title(language),
        "year": machine.year,
        "hours": machine.hours,
        "cover": photos[0].thumbnail.url if photos else None,
        "location": f"{machine.region}, {country}" if machine.region else country,
        "price_shown": format_money(
            convert(machine.price_amount, machine.price_currency_id, currency), currency
        ),
        "price_original": own if machine.price_currency_id != currency else "",
    }


def machine_detail(request: HttpRequest, machine_id: int) -> HttpResponse:
    page = _listing_page(request, machine_id)  # a missing or hidden listing raises: no view counted
    search_event_id, position = _search_origin(request)
    services.machine_view_record(machine_id=machine_id, search_event_id=search_event_id, position=position)
    return page


def _search_origin(request: HttpRequest) -> tuple[str | None, int | None]:
    """The search and the place in its results a result's link says it came from, if valid."""
    search_event_id, position = request.GET.get("sr", ""), request.GET.get("pos", "")
    try:
        return str(uuid.UUID(search_event_id)), (int(position) if 1 <= int(position) <= 10_000 else None)
    except ValueError:
        return None, None


def _listing_page(
    request: HttpRequest,
    machine_id: int,
    *,
    enquiry_body: str = "",
    enquiry_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The listing's page; after a refused enquiry, with the buyer's text and the reason."""
    machine = selectors.machine_get(machine_id=machine_id, viewer=viewer(request))
    preferences = viewer_preferences(request)
    language = page_language()
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in selectors.effective_specs(machine):
        definition = spec.definition
        if definition.kind == SpecKind.NUMBER and spec.value_number is not None:
            shown = format_value(spec.value_number, definition.unit, preferences.unit_system)
        elif definition.kind == SpecKind.ENUM:
            choice = next((c for c in definition.choices if c["code"] == spec.value_text), None)
            shown = (
                (choice["names"].get(language) or choice["names"].get("en")) if choice else spec.value_text
            )
        else:
            shown = spec.value_text
        category = definition.spec_category.names.get(language) or str(definition.spec_category)
        groups.setdefault(category, []).append((definition.name(language), shown))
    original = format_money(machine.price_amount, machine.price_currency_id)
    converted = format_money(
        convert(machine.price_amount, machine.price_currency_id, preferences.currency), preferences.currency
    )
    seller = machine.seller
    photos = list(machine.photos.all())
    return render(
        request,
        "marketplace/machine_detail.html",
        {
            "structured_data": _structured_data(request, machine, photos, language),
            "machine": machine,
            "title": machine.display_title(language),
            "description": machine.display_description(language),
            "category_name": machine.model.category.name(language),
            "spec_groups": groups,
            "price_shown": converted,
            "price_original": original if machine.price_currency_id != preferences.currency else "",
            "photos": photos,
            "watching": selectors.is_watching(viewer(request), machine.pk),
            "watcher_words": _watcher_words(),
            "is_owner": request.user.is_authenticated and machine.seller_id == request.user.pk,
            "country_name": _country_name(machine.country, language),
            "seller": seller,
            "seller_country": _country_name(seller.country, language) if seller.country else "",
            "seller_other_listings": selectors.seller_other_listings(seller.pk, machine.pk),
            "enquiry": selectors.enquiry_of_buyer(viewer(request), machine.pk),
            "enquiry_open": machine.status in SEARCHABLE_STATUSES,
            "enquiry_body": enquiry_body,
            "enquiry_error": enquiry_error,
            "max_body_length": MAX_BODY_LENGTH,
        },
        status=status,
    )


def _watcher_words() -> dict[str, str]:
    """The watcher count's sentence in the singular and the plural, "{n}" for the number: the
    page's script writes the live count with them."""
    return {
        form: ngettext(
            "%(counter)s person watches this machine", "%(counter)s people watch this machine", count
        )
        % {"counter": "{n}"}
        for form, count in (("one", 1), ("other", 2))
    }


AVAILABILITY = {
    MachineStatus.PUBLISHED: "https://schema.org/InStock",
    MachineStatus.IN_AUCTION: "https://schema.org/InStock",
    MachineStatus.RESERVED: "https://schema.org/LimitedAvailability",
    MachineStatus.SOLD: "https://schema.org/SoldOut",
}


def _structured_data(request: HttpRequest, machine: Machine, photos: list[Photo], language: str) -> str:
    """The listing as schema.org's Product with its Offer (JSON-LD), as search engines read a
    machine for sale: its name, photos, maker, model, year, condition and asking price."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": machine.display_title(language),
        "description": machine.display_description(language),
        "image": [request.build_absolute_uri(photo.image.url) for photo in photos],
        "brand": {"@type": "Brand", "name": machine.model.maker.name},
        "model": machine.model.model_number,
        "category": machine.model.category.name(language),
        "productionDate": str(machine.year),
        "itemCondition": "https://schema.org/UsedCondition",
        "offers": {
            "@type": "Offer",
            "url": request.build_absolute_uri(reverse("machine-detail", args=[machine.pk])),
            "price": machine.price.amount,
            "priceCurrency": machine.price_currency_id,
            "availability": AVAILABILITY.get(
                MachineStatus(machine.status), "https://schema.org/Discontinued"
            ),
            "seller": {
                "@type": "Organization",
                "name": machine.seller.company_name or machine.seller.get_username(),
            },
        },
    }
    # in a <script>, "<", ">" and "&" stay JSON escapes, so no text can close the element
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _country_name(country: Country, language: str) -> str:
    return str(country.names.get(language) or country.names.get("en") or country.code)


@require_POST
def preferences_update(request: HttpRequest) -> HttpResponse:
    # the header's switches, named apart from the fields of the forms on the pages they sit on
    set_viewer_preferences(
        request, unit_system=request.POST.get("display_units"), currency=request.POST.get("display_currency")
    )
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # other apps add their sections through template tags (the alerts' preferences)
    return render(request, "marketplace/profile.html", {"account": signed_in(request)})


@login_required
@require_POST
def watch_toggle(request: HttpRequest, machine_id: int) -> HttpResponse:
    if selectors.is_watching(signed_in(request), machine_id):
        services.watch_remove(user=signed_in(request), machine_id=machine_id)  # type: ignore[arg-type]
    else:
        services.watch_add(user=signed_in(request), machine_id=machine_id)  # type: ignore[arg-type]
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)  # the watchlist's remove button comes back to the watchlist
    return redirect("machine-detail", machine_id=machine_id)


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    currency, language = viewer_preferences(request).currency, page_language()
    entries = [
        {**_card(entry.machine, currency, language), "status": entry.machine.status, "machine": entry.machine}
        for entry in selectors.watchlist_page(signed_in(request))
    ]
    machines = [entry["machine"] for entry in entries]
    return render(request, "marketplace/watchlist.html", {"entries": entries, "machines": machines})


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None, initial={"primary_language": page_language()})
    if request.method == "POST" and form.is_valid():
        account = RegisterInput(
            data={name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
        )
        try:
            if not account.is_valid():
                raise DomainError(_("The account has invalid fields."), fields=flat_errors(account.errors))
            user = services.user_register(**account.validated_data)
        except DomainError as error:
            for field, field_messages in error.fields.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("seller-dashboard" if user.is_seller else "home")
    return render(request, "registration/signup.html", {"form": form})


def _seller_only(request: HttpRequest) -> HttpResponse | None:
    if not signed_in(request).is_seller:
        raise ForbiddenError(_("Only seller accounts can list machines."), code="not_a_seller")
    return None


@login_required
def seller_dashboard(request: HttpRequest) -> HttpResponse:
    if (refused := _seller_only(request)) is not None:
        return refused
    seller = signed_in(request)
    tallies = selectors.enquiry_tallies(seller)
    listings = list(selectors.seller_listings(seller))
    activity = listing_activity([machine.pk for machine in listings], seller_id=seller.pk, now=timezone.now())
    rows = [
        {"machine": machine, "enquiries": tallies.get(machine.pk), "activity": activity[machine.pk]}
        for machine in listings
    ]
    return render(
        request,
        "marketplace/seller_dashboard.html",
        {
            "rows": rows,
            "listings": [row["machine"] for row in rows],
            "unread": selectors.enquiry_unread_count(seller),
        },
    )


@login_required
def listing_edit(request: HttpRequest, machine_id: int | None = None) -> HttpResponse:
    if (refused := _seller_only(request)) is not None:
        return refused
    machine = selectors.machine_get(machine_id=machine_id, viewer=viewer(request)) if machine_id else None
    if machine is not None and machine.seller_id != request.user.pk:
        raise ForbiddenError(_("Only the seller of this listing can change it."), code="not_owner")
    unit_system = viewer_preferences(request).unit_system
    form = ListingForm(
        request.POST or None,
        initial=_initial(machine, signed_in(request)),
        unit_system=unit_system,
        stored_specs=_stored_specs(machine),
        language=page_language(),
    )
    if request.method == "POST" and form.is_valid():
        listing = MachineInput(data=form.to_request())
        try:
            if not listing.is_valid():
                raise DomainError(_("The listing has invalid fields."), fields=flat_errors(listing.errors))
            fields = listing_fields(dict(listing.validated_data))
            if machine is None:
                machine = services.machine_create(seller=signed_in(request), **fields)  # type: ignore[arg-type]
                messages.success(request, _("Listing saved as a draft. Add photos, then publish it."))
            else:
                services.machine_update(actor=signed_in(request), machine_id=machine.pk, **fields)  # type: ignore[arg-type]
                messages.success(request, _("Listing saved."))
            return redirect("listing-edit", machine_id=machine.pk)
        except DomainError as error:
            form.add_service_errors(error.fields)
            if not error.fields:
                form.add_error(None, error.message)
    return render(
        request,
        "marketplace/listing_form.html",
        {
            "form": form,
            "machine": machine,
            "photo_form": PhotoForm(),
            "photos": list(machine.photos.all()) if machine else [],
        },
    )


def _stored_specs(machine: Machine | None) -> dict[str, float]:
    """The machine's own spec numbers as stored (canonical units): ListingForm shows them."""
    if machine is None:
        return {}
    return {
        value.definition.code: value.value_number
        for value in machine.spec_values.select_related("definition")
        if value.value_number is not None
    }


def _initial(machine: Machine | None, seller: User) -> dict[str, object]:
    """The form's values for `machine`, but its spec numbers (`_stored_specs`); for a new
    listing, where the seller is and the currency they use, from their profile."""
    if machine is None:
        return {"condition": "good", "country": seller.country_id, "currency": seller.display_currency_id}
    currency = machine.price_currency
    initial: dict[str, object] = {
        "model": machine.model_id,
        "year": machine.year,
        "hours": machine.hours,
        "serial_number": machine.serial_number,
        "condition": machine.condition,
        "country": machine.country_id,
        "region": machine.region,
        "price": machine.price.amount,
        "currency": currency.code,
    }
    for language in LISTING_LANGUAGES:
        initial[f"title_{language}"] = machine.title.get(language, "")
        initial[f"description_{language}"] = machine.description.get(language, "")
    for value in machine.spec_values.select_related("definition").filter(value_number__isnull=True):
        initial[f"spec_{value.definition.code}"] = value.value_text
    return initial


@login_required
@require_POST
def listing_photo_add(request: HttpRequest, machine_id: int) -> HttpResponse:
    if not request.FILES.getlist("image"):
        messages.error(request, _("Choose a photo to upload."))
        return redirect("listing-edit", machine_id=machine_id)
    added = 0
    for upload in request.FILES.getlist("image"):
        try:
            services.photo_add(
                actor=signed_in(request), machine_id=machine_id, upload=upload, size=upload.size or 0
            )  # type: ignore[arg-type]
            added += 1
        except DomainError as error:
            messages.error(request, f"{upload.name}: {error.message}")
    if added:
        messages.success(request, _("Photos added: %(count)d.") % {"count": added})
    return redirect("listing-edit", machine_id=machine_id)


@login_required
@require_POST
def listing_photo_move(request: HttpRequest, machine_id: int, photo_id: int, move: str) -> HttpResponse:
    """The listing form's photo buttons: make a photo the cover, move it earlier or later, or
    remove it."""
    actor = signed_in(request)
    if move not in ("cover", "earlier", "later", "remove"):
        raise NotFoundError(_("No such action."))
    if move == "remove":
        services.photo_delete(actor=actor, machine_id=machine_id, photo_id=photo_id)
        messages.success(request, _("Photo removed."))
        return redirect("listing-edit", machine_id=machine_id)
    order = list(
        Photo.objects.filter(machine_id=machine_id).order_by("position", "id").values_list("pk", flat=True)
    )
    if photo_id not in order:
        raise NotFoundError(_("No such photo on this listing."))
    at = order.index(photo_id)
    order.pop(at)
    target = {"cover": 0, "earlier": max(0, at - 1), "later": min(len(order), at + 1)}[move]
    order.insert(target, photo_id)
    services.photos_reorder(actor=actor, machine_id=machine_id, photo_ids=order)
    return redirect("listing-edit", machine_id=machine_id)


@login_required
@require_POST
def listing_status(request: HttpRequest, machine_id: int, action: str) -> HttpResponse:
    service = {
        "publish": services.machine_publish,
        "unpublish": services.machine_unpublish,
        "sold": services.machine_mark_sold,
    }[action]
    try:
        machine = service(actor=signed_in(request), machine_id=machine_id)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("seller-dashboard")
    if machine.status == MachineStatus.PUBLISHED:
        messages.success(request, _("Listing published."))
    return redirect("seller-dashboard")


# ------------------------------------------------------------------ enquiries


def _enquiry_problem(error: DomainError) -> str:
    """Why a message was refused, in the reader's language."""
    problems = {
        "validation_error": _("Write a message of at most %(max)d characters.") % {"max": MAX_BODY_LENGTH},
        "rate_limited": _("You have sent many messages in a short time. Please wait a little and try again."),
        "own_listing": _("This is your own listing."),
        "listing_not_offered": _("This listing is not for sale any more."),
        "enquiry_full": _("This conversation is full. Please get in touch another way."),
    }
    return problems.get(error.code, error.message)


@login_required
@require_POST
def machine_enquire(request: HttpRequest, machine_id: int) -> HttpResponse:
    body = request.POST.get("body", "")
    try:
        enquiry = services.enquiry_send(buyer=signed_in(request), machine_id=machine_id, body=body)
    except DomainError as error:
        if error.status_code == 404:
            raise
        return _listing_page(
            request,
            machine_id,
            enquiry_body=body,
            enquiry_error=_enquiry_problem(error),
            status=error.status_code,
        )
    messages.success(request, _("Your message has been sent to the seller."))
    return redirect("enquiry-detail", enquiry_id=enquiry.pk)


@login_required
def enquiry_inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    threads = [
        {
            "enquiry": enquiry,
            "title": enquiry.machine.display_title(page_language()),
            "other": enquiry.seller if enquiry.buyer_id == user.pk else enquiry.buyer,
            "selling": enquiry.seller_id == user.pk,
            "unread": enquiry.unread_for(user.pk),
        }
        for enquiry in selectors.enquiries_for(user)[: selectors.INBOX_MAX]
    ]
    return render(request, "marketplace/enquiry_inbox.html", {"threads": threads})


@login_required
def enquiry_detail(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    user = signed_in(request)
    body, problem, status = "", "", 200
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.enquiry_reply(author=user, enquiry_id=enquiry_id, body=body)
        except DomainError as error:
            if error.status_code == 404:
                raise
            problem, status = _enquiry_problem(error), error.status_code
        else:
            return redirect("enquiry-detail", enquiry_id=enquiry_id)
    services.enquiry_mark_read(user=user, enquiry_id=enquiry_id)
    enquiry = selectors.enquiry_get(enquiry_id=enquiry_id, viewer=user)
    return render(
        request,
        "marketplace/enquiry_detail.html",
        {
            "enquiry": enquiry,
            "title": enquiry.machine.display_title(page_language()),
            "other": enquiry.seller if enquiry.buyer_id == user.pk else enquiry.buyer,
            "thread": [(message, message.author_id == user.pk) for message in enquiry.messages.all()],
            "body": body,
            "problem": problem,
            "max_body_length": MAX_BODY_LENGTH,
        },
        status=status,
    )
