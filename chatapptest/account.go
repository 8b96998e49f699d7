package chatapptest

import (
	"cmp"
	"errors"
	"slices"

	"github.com/chatappkit/chatapp"
)

// The operations added to the emulator with the account model.
const (
	actionQueryPhoneNumbers = "QueryChatappPhoneNumbers"
	actionTemplateMetric    = "GetChatappTemplateMetric"
	actionHealthStatus      = "GetWhatsappHealthStatus"
)

// servedActions are the operations the emulator answers.
var servedActions = []string{actionGetMetric, actionEnableROI, actionQueryPhoneNumbers, actionTemplateMetric, actionHealthStatus}

// DefaultCustSpaceID is the ID of the channel an emulator simulates unless
// WithCustSpaceID says otherwise.
const DefaultCustSpaceID = "cams-emulator-0001"

// DefaultWabaID and DefaultBusinessID identify the simulated channel's
// WhatsApp Business Account and Business Manager in health answers.
const (
	DefaultWabaID     = "1029384756000001"
	DefaultBusinessID = "5647382910000001"
)

// Template is a message template of the simulated channel.
type Template struct {
	Code     string
	Language string
	// Type is the channel type; empty means WHATSAPP.
	Type string
	// Buttons are the template's buttons, whose clicks the metrics count.
	Buttons []TemplateButton
}

// TemplateButton is one button of a Template.
type TemplateButton struct {
	Type    chatapp.ButtonType
	Content string // the button's text
}

// defaultNumber is the state of a number nobody set with SetPhoneNumber.
func defaultNumber(phone string) chatapp.PhoneNumberInfo {
	return chatapp.PhoneNumberInfo{
		PhoneNumber:            phone,
		VerifiedName:           "Emulated Business",
		Status:                 chatapp.PhoneNumberConnected,
		QualityRating:          chatapp.QualityGreen,
		MessagingLimitTier:     chatapp.Tier10K,
		CodeVerificationStatus: chatapp.CodeVerified,
		NameStatus:             "Approval",
		NewNameStatus:          "Approval",
		StatusCallbackURL:      "https://example.com/chatapp/status",
		UpCallbackURL:          "https://example.com/chatapp/inbound",
	}
}

// DefaultTemplates are the templates an emulator's channel has unless
// WithTemplates replaces them.
var DefaultTemplates = []Template{
	{Code: "welcome_offer", Language: "en", Buttons: []TemplateButton{
		{Type: chatapp.ButtonQuickReply, Content: "Yes, please"},
		{Type: chatapp.ButtonURL, Content: "See the offer"},
	}},
	{Code: "welcome_offer", Language: "zh_CN", Buttons: []TemplateButton{
		{Type: chatapp.ButtonQuickReply, Content: "好的"},
	}},
	{Code: "order_update", Language: "en"},
}

// CustSpaceID returns the ID of the channel (ISV sub-customer space) the
// emulator simulates. The emulator models this one channel: a request's
// CustSpaceId, whatever it is, is answered from it (only ROI collection is
// kept per CustSpaceId), so tests written for any space ID keep working.
func (e *Emulator) CustSpaceID() string { return e.custSpaceID }

// Templates returns the channel's templates, by Code and then Language.
func (e *Emulator) Templates() []Template {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := slices.Clone(e.templates)
	for i := range out {
		out[i].Buttons = slices.Clone(out[i].Buttons)
	}
	return out
}

// AddTemplate adds templates to the channel, or replaces those of the
// same Code and Language. Code and Language must be set.
func (e *Emulator) AddTemplate(templates ...Template) error {
	for _, t := range templates {
		if t.Code == "" || t.Language == "" {
			return errors.New("chatapptest: AddTemplate: a template needs a Code and a Language")
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range templates {
		e.addTemplate(t)
	}
	return nil
}

// addTemplate inserts t in order. The caller holds e.mu.
func (e *Emulator) addTemplate(t Template) {
	t.Buttons = slices.Clone(t.Buttons)
	i, found := slices.BinarySearchFunc(e.templates, t, compareTemplates)
	if found {
		e.templates[i] = t
		return
	}
	e.templates = slices.Insert(e.templates, i, t)
}

func compareTemplates(a, b Template) int {
	return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Language, b.Language))
}

// SetPhoneNumber adds a number to the channel, or replaces its state, as
// QueryChatappPhoneNumbers reports it: Status, QualityRating,
// MessagingLimitTier, VerifiedName and the rest are answered as given.
// The number's state also decides its health: BANNED, RESTRICTED,
// DELETED, DISCONNECTED or FLAGGED numbers are BLOCKED, RATE_LIMITED ones
// and those with a RED quality rating are LIMITED, with an error entry.
func (e *Emulator) SetPhoneNumber(info chatapp.PhoneNumberInfo) error {
	if info.PhoneNumber == "" {
		return errors.New("chatapptest: SetPhoneNumber: PhoneNumber is empty")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addKnownNumber(info.PhoneNumber)
	e.numberInfo[info.PhoneNumber] = info
	return nil
}

// PhoneNumberInfos returns the channel's numbers as
// QueryChatappPhoneNumbers reports them, in byte order of the number.
func (e *Emulator) PhoneNumberInfos() []chatapp.PhoneNumberInfo {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.numberInfos()
}

// numberInfos lists the channel's numbers. The caller holds e.mu.
func (e *Emulator) numberInfos() []chatapp.PhoneNumberInfo {
	out := make([]chatapp.PhoneNumberInfo, 0, len(e.phoneNumbers))
	for _, n := range e.phoneNumbers {
		info, ok := e.numberInfo[n]
		if !ok {
			info = defaultNumber(n)
		}
		out = append(out, info)
	}
	return out
}

// isChannelNumber reports whether phone belongs to the channel. The caller
// holds e.mu.
func (e *Emulator) isChannelNumber(phone string) bool {
	_, found := slices.BinarySearch(e.phoneNumbers, phone)
	return found
}

// phoneNumbersBody is the operation's answer, in the order of the API
// reference's example.
type phoneNumbersBody struct {
	RequestID    string            `json:"RequestId"`
	Code         string            `json:"Code"`
	Message      string            `json:"Message"`
	Success      bool              `json:"Success"`
	PhoneNumbers []phoneNumberBody `json:"PhoneNumbers"`
}

type phoneNumberBody struct {
	PhoneNumber            string `json:"PhoneNumber"`
	VerifiedName           string `json:"VerifiedName"`
	Status                 string `json:"Status"`
	QualityRating          string `json:"QualityRating"`
	MessagingLimitTier     string `json:"MessagingLimitTier"`
	CodeVerificationStatus string `json:"CodeVerificationStatus"`
	NameStatus             string `json:"NameStatus"`
	NewNameStatus          string `json:"NewNameStatus"`
	IsOfficial             string `json:"IsOfficial"`
	StatusCallbackURL      string `json:"StatusCallbackUrl"`
	StatusQueue            string `json:"StatusQueue"`
	UpCallbackURL          string `json:"UpCallbackUrl"`
	UpQueue                string `json:"UpQueue"`
}

// serveQueryPhoneNumbers answers QueryChatappPhoneNumbers. Status, when
// given, keeps the numbers whose Status or CodeVerificationStatus equals
// it (the service does not document the filter; this is the emulator's
// reading).
func (e *Emulator) serveQueryPhoneNumbers(in *incoming) *response {
	filter := in.params.Get("Status")
	e.mu.RLock()
	infos := e.numberInfos()
	e.mu.RUnlock()
	id := newRequestID()
	body := phoneNumbersBody{RequestID: id, Code: codeOK, Message: "SUCCESS", Success: true, PhoneNumbers: []phoneNumberBody{}}
	for _, n := range infos {
		if filter != "" && string(n.Status) != filter && string(n.CodeVerificationStatus) != filter {
			continue
		}
		official := "N"
		if n.IsOfficial {
			official = "Y"
		}
		body.PhoneNumbers = append(body.PhoneNumbers, phoneNumberBody{
			PhoneNumber: n.PhoneNumber, VerifiedName: n.VerifiedName, Status: string(n.Status),
			QualityRating: string(n.QualityRating), MessagingLimitTier: string(n.MessagingLimitTier),
			CodeVerificationStatus: string(n.CodeVerificationStatus), NameStatus: n.NameStatus,
			NewNameStatus: n.NewNameStatus, IsOfficial: official, StatusCallbackURL: n.StatusCallbackURL,
			StatusQueue: n.StatusQueue, UpCallbackURL: n.UpCallbackURL, UpQueue: n.UpQueue,
		})
	}
	return okResponse(id, marshal(body))
}

// numberHealth derives a number's health from its state.
func numberHealth(n chatapp.PhoneNumberInfo) (chatapp.SendStatus, []chatapp.HealthError) {
	switch n.Status {
	case chatapp.PhoneNumberBanned, chatapp.PhoneNumberRestricted, chatapp.PhoneNumberDeleted,
		chatapp.PhoneNumberDisconnected, chatapp.PhoneNumberFlagged:
		return chatapp.SendBlocked, []chatapp.HealthError{{
			ErrorCode:        "131031",
			ErrorDescription: "The phone number is " + string(n.Status) + ".",
			PossibleSolution: "Check the number's status in WhatsApp Manager and follow Meta's instructions.",
		}}
	case chatapp.PhoneNumberRateLimited:
		return chatapp.SendLimited, []chatapp.HealthError{{
			ErrorCode:        "131048",
			ErrorDescription: "The phone number is rate limited.",
			PossibleSolution: "Send fewer messages until the limit is lifted.",
		}}
	}
	if n.QualityRating == chatapp.QualityRed {
		return chatapp.SendLimited, []chatapp.HealthError{{
			ErrorCode:        "131049",
			ErrorDescription: "The phone number's quality rating is RED.",
			PossibleSolution: "Improve message quality to raise the rating.",
		}}
	}
	return chatapp.SendAvailable, nil
}

// worse returns the more severe of two statuses.
func worse(a, b chatapp.SendStatus) chatapp.SendStatus {
	rank := func(s chatapp.SendStatus) int {
		switch s {
		case chatapp.SendBlocked:
			return 2
		case chatapp.SendLimited:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

type healthBody struct {
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Success   bool   `json:"Success"`
	Data      struct {
		CanSendMessage string             `json:"CanSendMessage"`
		Entities       []healthEntityBody `json:"Entities"`
	} `json:"Data"`
}

type healthEntityBody struct {
	EntityType     string            `json:"EntityType"`
	CanSendMessage string            `json:"CanSendMessage"`
	BusinessID     string            `json:"BusinessId,omitempty"`
	WabaID         string            `json:"WabaId,omitempty"`
	PhoneNumber    string            `json:"PhoneNumber,omitempty"`
	TemplateCode   string            `json:"TemplateCode,omitempty"`
	Language       string            `json:"Language,omitempty"`
	Errors         []healthErrorBody `json:"Errors,omitempty"`
}

type healthErrorBody struct {
	ErrorCode        string `json:"ErrorCode"`
	ErrorDescription string `json:"ErrorDescription"`
	PossibleSolution string `json:"PossibleSolution"`
}

// serveHealth answers GetWhatsappHealthStatus. NodeType phone needs a
// PhoneNumber of the channel, template a TemplateCode (and optionally a
// Language) of it; waba reports the WABA and every number. The overall
// status is the worst of the entities'.
func (e *Emulator) serveHealth(in *incoming) *response {
	p := in.params
	nodeType := p.Get("NodeType")
	if nodeType == "" {
		return errorResponse(errMissing("NodeType"))
	}
	if p.Get("CustSpaceId") == "" {
		return errorResponse(errMissing("CustSpaceId"))
	}
	e.mu.RLock()
	infos := e.numberInfos()
	templates := slices.Clone(e.templates)
	e.mu.RUnlock()

	var entities []healthEntityBody
	addNumber := func(n chatapp.PhoneNumberInfo) {
		status, errs := numberHealth(n)
		ent := healthEntityBody{EntityType: string(chatapp.EntityPhoneNumber), CanSendMessage: string(status), WabaID: DefaultWabaID, PhoneNumber: n.PhoneNumber}
		for _, x := range errs {
			ent.Errors = append(ent.Errors, healthErrorBody(x))
		}
		entities = append(entities, ent)
	}
	waba := healthEntityBody{EntityType: string(chatapp.EntityWABA), CanSendMessage: string(chatapp.SendAvailable), BusinessID: DefaultBusinessID, WabaID: DefaultWabaID}
	switch chatapp.NodeType(nodeType) {
	case chatapp.NodePhone:
		phone := p.Get("PhoneNumber")
		if phone == "" {
			return errorResponse(errMissing("PhoneNumber"))
		}
		i := slices.IndexFunc(infos, func(n chatapp.PhoneNumberInfo) bool { return n.PhoneNumber == phone })
		if i < 0 {
			return errorResponse(errInvalid("PhoneNumber", "The number does not belong to the channel."))
		}
		addNumber(infos[i])
		entities = append(entities, waba)
	case chatapp.NodeTemplate:
		code, lang := p.Get("TemplateCode"), p.Get("Language")
		if code == "" {
			return errorResponse(errMissing("TemplateCode"))
		}
		for _, t := range templates {
			if t.Code == code && (lang == "" || t.Language == lang) {
				entities = append(entities, healthEntityBody{EntityType: string(chatapp.EntityMessageTemplate), CanSendMessage: string(chatapp.SendAvailable), WabaID: DefaultWabaID, TemplateCode: t.Code, Language: t.Language})
			}
		}
		if len(entities) == 0 {
			return errorResponse(errInvalid("TemplateCode", "The template does not exist in the channel."))
		}
		entities = append(entities, waba)
	case chatapp.NodeWABA:
		if w := p.Get("WabaId"); w != "" && w != DefaultWabaID {
			return errorResponse(errInvalid("WabaId", "The WABA does not belong to the channel."))
		}
		entities = append(entities, waba)
		for _, n := range infos {
			addNumber(n)
		}
	default:
		return errorResponse(errInvalid("NodeType", "Valid values: template, phone, waba."))
	}
	id := newRequestID()
	body := healthBody{RequestID: id, Code: codeOK, Message: "None", Success: true}
	overall := chatapp.SendAvailable
	for _, ent := range entities {
		overall = worse(overall, chatapp.SendStatus(ent.CanSendMessage))
	}
	body.Data.CanSendMessage = string(overall)
	body.Data.Entities = entities
	return okResponse(id, marshal(body))
}
